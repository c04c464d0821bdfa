// Two public functions (qkv-run needs --entry) and a private helper.
func.func @scale(%x: memref<2x16xf32>, %y: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<2x16xf32> -> !tile.tile<2x16xf32, ub>
  %d = tile.add %t, %t : !tile.tile<2x16xf32, ub>
  tile.store %d, %y[%c0, %c0] : !tile.tile<2x16xf32, ub> -> memref<2x16xf32>
  return
}

func.func @copy_bf16(%x: memref<2x16xbf16>, %y: memref<2x16xbf16>) {
  %c0 = arith.constant 0 : index
  %t = tile.load %x[%c0, %c0] : memref<2x16xbf16> -> !tile.tile<2x16xbf16, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<2x16xbf16, ub> -> memref<2x16xbf16>
  return
}

func.func private @helper(%x: memref<2x16xf32>) {
  return
}
