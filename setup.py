"""Package discovery for the one import package ``townsim``, whose folder is the repository root.

Everything else is declared in pyproject.toml. ``find_packages`` lists every folder with an
``__init__.py`` below the root; each becomes ``townsim.<folder>`` through pyproject's
``package-dir = {"townsim" = "."}``. Tests, benchmarks and build copies are not shipped, nor is
this file (it sits in the package's folder, but it is not part of the package).
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

NOT_SHIPPED = ["tests", "tests.*", "benchmarks", "benchmarks.*", "build", "build.*", "dist", "dist.*", "results*"]


class BuildPy(build_py):
    """Copy the package's modules, except this build script."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if not (package == "townsim" and m[1] == "setup")]


setup(
    packages=["townsim", *(f"townsim.{name}" for name in find_packages(".", exclude=NOT_SHIPPED))],
    cmdclass={"build_py": BuildPy},
)
