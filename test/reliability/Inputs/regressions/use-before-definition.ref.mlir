func.func @proj(%x: memref<1x80xf32>, %w: memref<80x40xf32>, %y: memref<1x40xf32>) {
  linalg.matmul ins(%x, %w : memref<1x80xf32>, memref<80x40xf32>) outs(%y : memref<1x40xf32>)
  return
}
