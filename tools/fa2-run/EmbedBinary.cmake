#===- EmbedBinary.cmake - turn a file into a C++ byte array ---------------===#
#
# cmake -DINPUT=f.fatbin -DOUTPUT=f.cpp -DSYMBOL=name -P EmbedBinary.cmake
# writes `alignas(64) extern const unsigned char name[]` and `name_size`:
# fa2-run carries its reference kernels inside the executable, so that no file
# beside it can go missing or stale.
#===----------------------------------------------------------------------===#
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR size "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by EmbedBinary.cmake; do not edit.\n"
  "#include <cstddef>\n"
  "alignas(64) extern const unsigned char ${SYMBOL}[] = {\n${bytes}\n};\n"
  "extern const size_t ${SYMBOL}_size = ${size};\n")
