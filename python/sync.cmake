# Copies the pure-Python package (only *.py) from SRC to DST/hyper; the
# extension module of another build, if copied into python/hyper/ by
# hyper_python_inplace, is never staged.
file(COPY ${SRC}/hyper DESTINATION ${DST} FILES_MATCHING PATTERN "*.py"
     PATTERN "__pycache__" EXCLUDE)
