// Scalar reference implementations of the programs in ../tile-ops.mlir: loops of
// memref.load / arith / memref.store, no tile ops, so that a mistake in a tile
// op's implementation cannot cancel out.

func.func @load_store(%x: memref<4x64xf32>, %y: memref<2x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c16 to %c32 step %c1 {
      %r = arith.addi %i, %c1 : index
      %v = memref.load %x[%r, %j] : memref<4x64xf32>
      memref.store %v, %y[%i, %j] : memref<2x32xf32>
    }
  }
  return
}

func.func @cast_bf16_f32(%x: memref<4x16xbf16>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %x[%i, %j] : memref<4x16xbf16>
      %f = arith.extf %v : bf16 to f32
      memref.store %f, %y[%i, %j] : memref<4x16xf32>
    }
  }
  return
}

func.func @cast_f32_bf16(%x: memref<4x16xf32>, %y: memref<4x16xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %x[%i, %j] : memref<4x16xf32>
      %b = arith.truncf %v : f32 to bf16
      memref.store %b, %y[%i, %j] : memref<4x16xbf16>
    }
  }
  return
}

func.func @transpose(%x: memref<16x8xf32>, %y: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %v = memref.load %x[%i, %j] : memref<16x8xf32>
      memref.store %v, %y[%j, %i] : memref<8x16xf32>
    }
  }
  return
}

func.func @col_expand_mul_add(%x: memref<4x16xf32>, %r: memref<1x16xf32>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %a = memref.load %x[%i, %j] : memref<4x16xf32>
      %b = memref.load %r[%c0, %j] : memref<1x16xf32>
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %m, %m : f32
      memref.store %s, %y[%i, %j] : memref<4x16xf32>
    }
  }
  return
}

func.func @row_sum_reshape(%x: memref<16x64xf32>, %y: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    %sum = scf.for %j = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %j] : memref<16x64xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %sum, %y[%c0, %i] : memref<1x16xf32>
  }
  return
}

func.func @full_extract_insert(%x: memref<4x16xf32>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %fill = arith.constant 1.5 : f32
  linalg.fill ins(%fill : f32) outs(%y : memref<4x16xf32>)
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %r = arith.addi %i, %c1 : index
      %c = arith.addi %j, %c8 : index
      %v = memref.load %x[%r, %c] : memref<4x16xf32>
      memref.store %v, %y[%i, %j] : memref<4x16xf32>
    }
  }
  return
}

func.func @load_store_valid(%x: memref<4x16xf32>, %y: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c3 step %c1 {
    scf.for %j = %c0 to %c7 step %c1 {
      %in_rows = arith.cmpi ult, %i, %c2 : index
      %in_cols = arith.cmpi ult, %j, %c5 : index
      %inside = arith.andi %in_rows, %in_cols : i1
      %v = scf.if %inside -> (f32) {
        %l = memref.load %x[%i, %j] : memref<4x16xf32>
        scf.yield %l : f32
      } else {
        scf.yield %zero : f32
      }
      memref.store %v, %y[%i, %j] : memref<4x16xf32>
    }
  }
  return
}

func.func @store_atomic_add(%x: memref<2x16xf32>, %y: memref<2x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  scf.for %i = %c0 to %c2 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %a = memref.load %x[%i, %j] : memref<2x16xf32>
      %b = memref.load %y[%i, %j] : memref<2x16xf32>
      %s = arith.addf %b, %a : f32
      memref.store %s, %y[%i, %j] : memref<2x16xf32>
    }
  }
  return
}

func.func @move_matmul_acc(%a: memref<16x32xbf16>, %b: memref<32x16xbf16>, %c: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c16 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %sum = scf.for %k = %c0 to %c32 step %c1 iter_args(%acc = %zero) -> (f32) {
        %x = memref.load %a[%i, %k] : memref<16x32xbf16>
        %w = memref.load %b[%k, %j] : memref<32x16xbf16>
        %xf = arith.extf %x : bf16 to f32
        %wf = arith.extf %w : bf16 to f32
        %p = arith.mulf %xf, %wf : f32
        %s = arith.addf %acc, %p : f32
        scf.yield %s : f32
      }
      memref.store %sum, %c[%i, %j] : memref<16x16xf32>
    }
  }
  return
}
