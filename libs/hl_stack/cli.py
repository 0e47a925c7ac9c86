def main() -> None:
    from hl_stack.launcher import main as run

    run()
