// 2^63: larger than MLIR's int64_t dimensions (mlir-opt: "invalid dimension").
func.func @too_large(%x: memref<1x9223372036854775808xbf16>) {
  return
}
