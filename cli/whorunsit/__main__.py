from whorunsit.app import main

main()
