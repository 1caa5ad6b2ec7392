"""Build of the optional C scanner (``jgview._scan``); everything else is in pyproject.toml.

The extension is optional: without a C compiler the install still succeeds and the fast reader of
big inputs uses GNU grep instead (slower; see README, Performance)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "jgview._scan",
            sources=["jgview/_scan.c"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wno-unused-function"],
            optional=True,
        )
    ]
)
