from newsdown.cli.app import main

main()
