"""Entry point for ``python -m codedeploy_doctor``."""

from codedeploy_doctor.cli import main

if __name__ == "__main__":
    main()
