// A 400 GB tile: check-target reports the UB overflow; qkv-run refuses to make it.
func.func @huge_tile(%y: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "huge_tile" {
    %t = tile.full 0.0 : !tile.tile<100000x1000000xf32, ub>
  }
  return
}
