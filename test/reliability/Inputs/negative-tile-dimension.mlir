func.func @negative(%x: memref<16x16xf32>) {
  tile.task vector "negative" {
    %t = tile.full 0.0 : !tile.tile<16x-16xf32, ub>
  }
  return
}
