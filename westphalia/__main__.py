from westphalia.cli import main

main()
