# cmake -DIN=file -DOUT=file.inc -P EmbedFile.cmake: writes IN's bytes as a
# comma-separated list of hex literals, for `unsigned char x[] = { #include }`.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "${bytes}\n")
