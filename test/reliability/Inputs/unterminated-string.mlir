func.func @k_proj(%y: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj_0 {
    tile.store
  }
  return
}
