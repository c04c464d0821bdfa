// A declaration, a function with a scalar argument, and one with a dynamic size.
func.func private @decl(%x: memref<4xf32>)
func.func @scalar(%s: f32, %y: memref<2xf32>) {
  return
}
func.func @dynamic(%x: memref<?x16xf32>) {
  return
}
