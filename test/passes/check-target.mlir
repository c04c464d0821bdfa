// RUN: qkv-opt --check-target --split-input-file %s | filecheck %s
// RUN: qkv-opt --check-target=target=ascend910b --split-input-file %s | filecheck %s
// RUN: qkv-opt -p 'check-target{target=ascend910b}' %s --split-input-file --verify-diagnostics
// RUN: not qkv-opt --check-target=target=ascend310 %s 2>&1 | filecheck %s --check-prefix=BAD-TARGET

// BAD-TARGET: error: bad option for pass 'check-target': unknown target 'ascend310'; known targets: ascend910b, ascend950

// The passing twin of every case in check-target-invalid.mlir: check-target
// accepts the IR and prints it unchanged.

// ---- alignment ----------------------------------------------------------------

// CHECK-LABEL: func.func @row_bf16
// CHECK: tile.load {{.*}} -> !tile.tile<1024x16xbf16, ub>
func.func @row_bf16(%wk: memref<5120x1024xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj" {
    %w = tile.load %wk[%c0, %c0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
  }
  func.return
}

// -----

// The hint of a lowering is kept.
// CHECK-LABEL: func.func @row_bf16_nv
// CHECK: tile.load {{.*}}{tile.origin = "nv"} : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
func.func @row_bf16_nv(%wk: memref<5120x1024xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj" {
    %w = tile.load %wk[%c0, %c0] {tile.origin = "nv"} : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
  }
  func.return
}

// -----

// CHECK-LABEL: func.func @col_major_f32
// CHECK: tile.row_sum {{.*}} -> !tile.tile<8x1xf32, ub, col_major>
func.func @col_major_f32(%x: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<8x64xf32> -> !tile.tile<8x64xf32, ub>
    %s = tile.row_sum %a : !tile.tile<8x64xf32, ub> -> !tile.tile<8x1xf32, ub, col_major>
  }
  func.return
}

// -----

// CHECK-LABEL: func.func @row_l1
// CHECK: !tile.tile<16x16xbf16, l1>
func.func @row_l1(%b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    %t = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<16x16xbf16, l1>
  }
  func.return
}

// -----

// Column offsets in whole 32-byte blocks: 8 f32, a loop of step 8, 16 bf16.
// CHECK-LABEL: func.func @aligned_offsets
// CHECK: tile.extract
// CHECK: tile.extract
// CHECK: tile.move
func.func @aligned_offsets(%x: memref<16x512xf32>, %b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x512xf32> -> !tile.tile<16x512xf32, ub>
    %r = tile.extract %a[%c0, %c8] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x256xf32, ub>
    scf.for %j = %c0 to %c256 step %c8 {
      %s = tile.extract %a[%c0, %j] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x256xf32, ub>
    }
  }
  tile.task cube "c" {
    %l1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    %l0 = tile.move %l1[%c0, %c16] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x128xbf16, l0b>
  }
  func.return
}

// -----

// ---- cube: M = 16, fractal-aligned tiles, extents in range; MTE ops in a cube task

// CHECK-LABEL: func.func @cube_ok
// CHECK: tile.matmul
// CHECK: tile.matmul_acc
// CHECK: tile.store {{.*}} atomic add
func.func @cube_ok(%a: memref<16x256xbf16>, %b: memref<256x256xbf16>, %y: memref<16x256xf32>) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  tile.task cube "c" {
    %a1 = tile.load %a[%c0, %c0] : memref<16x256xbf16> -> !tile.tile<16x256xbf16, l1>
    %b1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    %acc = tile.matmul %a0, %b0 : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    %a2 = tile.move %a1[%c0, %c128] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
    %b2 = tile.move %b1[%c128, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
    %acc2 = tile.matmul_acc %acc, %a2, %b2 : !tile.tile<16x256xf32, l0c>, !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
    tile.store %acc2, %y[%c0, %c0] atomic add : !tile.tile<16x256xf32, l0c> -> memref<16x256xf32>
  }
  func.return
}

// -----

// CHECK-LABEL: func.func @fractal_l0b
// CHECK: !tile.tile<128x32xbf16, l0b>
func.func @fractal_l0b(%b: memref<256x256xbf16>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    %b1 = tile.load %b[%c0, %c0] : memref<256x256xbf16> -> !tile.tile<256x256xbf16, l1>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x32xbf16, l0b>
  }
  func.return
}

// -----

// ---- dtypes: bf16 only through load, cast, transpose, reshape, extract/insert, store

// CHECK-LABEL: func.func @f32_vector_ops
// CHECK: tile.row_sum
// CHECK: tile.insert
func.func @f32_vector_ops(%x: memref<1x64xbf16>, %w: memref<64x16xbf16>, %y: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %z = tile.full 0.0 : !tile.tile<16x64xf32, ub>
    %a = tile.load %x[%c0, %c0] : memref<1x64xbf16> -> !tile.tile<1x64xbf16, ub>
    %wb = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<64x16xbf16, ub>
    %wt = tile.transpose %wb : !tile.tile<64x16xbf16, ub> -> !tile.tile<16x64xbf16, ub>
    %wv = tile.reshape %wt : !tile.tile<16x64xbf16, ub> -> !tile.tile<32x32xbf16, ub>
    %af = tile.cast %a : !tile.tile<1x64xbf16, ub> -> !tile.tile<1x64xf32, ub>
    %e = tile.col_expand %af : !tile.tile<1x64xf32, ub> -> !tile.tile<16x64xf32, ub>
    %m = tile.mul %e, %z : !tile.tile<16x64xf32, ub>
    %p = tile.col_expand_mul %m, %af : !tile.tile<16x64xf32, ub>, !tile.tile<1x64xf32, ub> -> !tile.tile<16x64xf32, ub>
    %s = tile.add %p, %m : !tile.tile<16x64xf32, ub>
    %r = tile.row_sum %s : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    %acc = tile.full 0.0 : !tile.tile<16x16xf32, ub>
    %acc1 = tile.insert %r into %acc[%c0, %c0] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
    tile.store %acc1, %y[%c0, %c0] : !tile.tile<16x16xf32, ub> -> memref<16x16xf32>
  }
  func.return
}

// -----

// ---- layouts: row_sum's col_major [R, 1] reshaped to [1, R] before the add ------

// CHECK-LABEL: func.func @reshape_then_add
// CHECK: tile.reshape
// CHECK: tile.add
func.func @reshape_then_add(%x: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "t" {
    %a = tile.load %x[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32, ub>
    %s = tile.row_sum %a : !tile.tile<16x64xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
    %r = tile.reshape %s : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
    %t = tile.add %r, %r : !tile.tile<1x16xf32, ub>
  }
  func.return
}

// -----

// ---- units and placement: GM data outside tasks, tiles only inside ---------------

// CHECK-LABEL: func.func @tasks_in_parallel
// CHECK: scf.parallel
// CHECK: tile.task vector "v"
func.func @tasks_in_parallel(%x: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c1024 = arith.constant 1024 : index
  scf.parallel (%n0) = (%c0) to (%c1024) step (%c16) {
    tile.task vector "v" {
      %t = tile.load %x[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      tile.store %t, %x[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  func.return
}

// -----

// ---- budgets: an L0C accumulator of 128 KiB exactly fits -------------------------

// CHECK-LABEL: func.func @l0c_full
func.func @l0c_full(%a: memref<64x16xbf16>, %b: memref<16x512xbf16>, %c: memref<64x512xf32>) {
  %c0 = arith.constant 0 : index
  tile.task cube "c" {
    %a1 = tile.load %a[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<64x16xbf16, l1>
    %b1 = tile.load %b[%c0, %c0] : memref<16x512xbf16> -> !tile.tile<16x512xbf16, l1>
    %a0 = tile.move %a1[%c0, %c0] : !tile.tile<64x16xbf16, l1> -> !tile.tile<64x16xbf16, l0a>
    %b0 = tile.move %b1[%c0, %c0] : !tile.tile<16x512xbf16, l1> -> !tile.tile<16x512xbf16, l0b>
    %acc = tile.matmul %a0, %b0 : !tile.tile<64x16xbf16, l0a>, !tile.tile<16x512xbf16, l0b> -> !tile.tile<64x512xf32, l0c>
    tile.store %acc, %c[%c0, %c0] : !tile.tile<64x512xf32, l0c> -> memref<64x512xf32>
  }
  func.return
}
