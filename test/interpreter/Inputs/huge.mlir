// A 400 GB argument: qkv-run refuses it before allocating anything.
func.func @huge(%x: memref<100000x1000000xf32>, %y: memref<1x16xf32>) {
  return
}
