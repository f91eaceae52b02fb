"""CI glue for the GitHub Action (action.yml) and the GitLab CI template.

Both modules here use the standard library only and import nothing from whorunsit:
the action runs them by path from its own checkout, whatever version of whorunsit it
installed, and talks to that whorunsit through its command line.

- ``comment``: create or update one pull-request comment (GitHub) or merge-request note
  (GitLab), found again by a hidden marker, so every push updates it in place.
- ``action``: the action's steps: versions for the compile-cache key, and the gate run
  over each scenario with its reports, job summary and comment body.
"""
