"""Install both lock files into a fresh virtualenv with `--require-hashes`, then `pip check`.

    python scripts/check_locks.py          # `make check-locks`; 90 to 225 s here

The test suite checks the locks' shape (tests/test_install_lock.py); this proves they install:
every pin resolvable, every hash matching, nothing missing from the tree.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    """Exit 0 when both locks install cleanly into a new virtualenv, else with pip's output."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="inkstone-locks-") as directory:
        venv = Path(directory) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        for locks in (["requirements.txt"], ["requirements.txt", "requirements-dev.txt"]):
            arguments = [arg for lock in locks for arg in ("-r", str(ROOT / lock))]
            install = subprocess.run(
                [python, "-m", "pip", "install", "--quiet", "--require-hashes", *arguments],
                capture_output=True,
                text=True,
            )
            if install.returncode != 0:
                sys.exit(f"{' + '.join(locks)} did not install:\n{install.stderr}")
            check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
            if check.returncode != 0:
                sys.exit(f"pip check after {' + '.join(locks)}:\n{check.stdout}")
            print(f"{' + '.join(locks)}: installed with --require-hashes, pip check clean")
    print(f"check_locks: {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
