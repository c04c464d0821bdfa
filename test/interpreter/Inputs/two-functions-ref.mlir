// References for two-functions.mlir: @scale doubles, @copy_bf16 copies.
func.func @scale(%x: memref<2x16xf32>, %y: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %x[%i, %j] : memref<2x16xf32>
      %d = arith.addf %v, %v : f32
      memref.store %d, %y[%i, %j] : memref<2x16xf32>
    }
  }
  return
}

func.func @copy_bf16(%x: memref<2x16xbf16>, %y: memref<2x16xbf16>) {
  "memref.copy"(%x, %y) : (memref<2x16xbf16>, memref<2x16xbf16>) -> ()
  return
}
