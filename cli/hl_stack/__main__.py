from hl_stack.cli import main

main()
