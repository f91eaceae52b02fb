from whorunsit.app import main

# the guard keeps spawned processes (a LocalCluster's workers) from running the CLI again
if __name__ == "__main__":
    main()
