from cardguard.cli import main

main()
