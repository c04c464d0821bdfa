// Invalid on purpose: arith.addf needs two operands.
func.func @f(%x: memref<2xf32>) {
  %y = arith.addf %x
  return
}
