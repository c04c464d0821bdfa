// A function that calls itself without end.
func.func @forever(%x: memref<4xf32>) {
  func.call @forever(%x) : (memref<4xf32>) -> ()
  return
}
