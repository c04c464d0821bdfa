// Run-time checks stop the run with a located error naming the op and the
// indices, exit 1, no traceback.  (The reference executor starts faster: it
// needs no torch; the fast executor gives the same messages, see the unit tests.)

// RUN: not qkv-run %s --entry oob_load --executor reference 2>&1 | filecheck %s --check-prefix=OOB
// OOB:      runtime-errors.mlir:[[# @LINE + 5]]:8: error: 'tile.load' op reads rows 0..3 x columns 56..71 of %x (argument #0, memref<4x64xf32>) (offsets [0, 56], extent 4x16): column 71 is past the last column 63; keep offset + extent within the memref, or give valid(...) extents for a partial tile
// OOB-NOT: Traceback
func.func @oob_load(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c56 = arith.constant 56 : index
  %t = tile.load %x[%c0, %c56] : memref<4x64xf32> -> !tile.tile<4x16xf32, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<4x16xf32, ub> -> memref<4x64xf32>
  return
}

// The valid extents count: 3 rows do not fit a 2-row memref.
// RUN: not qkv-run %s --entry oob_valid_store --executor reference 2>&1 | filecheck %s --check-prefix=VALID
// VALID: runtime-errors.mlir:[[# @LINE + 7]]:3: error: 'tile.store' op writes rows 0..2 x columns 0..15 of %y (argument #1, memref<2x64xf32>) (offsets [0, 0], extent 3x16): row 2 is past the last row 1; keep offset + extent within the memref
// VALID-NOT: Traceback
func.func @oob_valid_store(%x: memref<4x64xf32>, %y: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  %t = tile.load %x[%c0, %c0] : memref<4x64xf32> -> !tile.tile<4x16xf32, ub>
  tile.store %t, %y[%c0, %c0] valid(%c3, %c16) : !tile.tile<4x16xf32, ub> -> memref<2x64xf32>
  return
}

// Inside a batched scf.parallel (the fast executor): the error is the first
// failing iteration's, with its index.
// RUN: not qkv-run %s --entry oob_parallel 2>&1 | filecheck %s --check-prefix=PAR
// PAR:      runtime-errors.mlir:[[# @LINE + 9]]:12: error: 'tile.load' op reads rows 0..3 x columns 64..71 of %x
// PAR:      note: in the iteration where %n0 = 64
// PAR-NOT: Traceback
func.func @oob_parallel(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c72 = arith.constant 72 : index
  scf.parallel (%n0) = (%c0) to (%c72) step (%c8) {
    tile.task vector "t" {
      %t = tile.load %x[%c0, %n0] : memref<4x64xf32> -> !tile.tile<4x8xf32, ub>
      tile.store %t, %y[%c0, %n0] : !tile.tile<4x8xf32, ub> -> memref<4x64xf32>
    }
    scf.reduce
  }
  return
}

// memref.alloc leaves memory uninitialised; element [0, 0] was written, [0, 1] not.
// RUN: not qkv-run %s --entry uninitialised --executor reference 2>&1 | filecheck %s --check-prefix=UNINIT
// UNINIT: runtime-errors.mlir:[[# @LINE + 7]]:8: error: 'tile.load' op reads element [0, 1] of the memref.alloc at {{.*}}runtime-errors.mlir:[[# @LINE + 4]]:10 (memref<4x64xf32>) before anything was stored there
// UNINIT-NOT: Traceback
func.func @uninitialised(%y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %buf = memref.alloc() : memref<4x64xf32>
  %v = arith.constant 1.0 : f32
  memref.store %v, %buf[%c0, %c0] : memref<4x64xf32>
  %t = tile.load %buf[%c0, %c0] : memref<4x64xf32> -> !tile.tile<4x8xf32, ub>
  tile.store %t, %y[%c0, %c0] : !tile.tile<4x8xf32, ub> -> memref<4x64xf32>
  return
}

// A memref.alloc beyond the memory budget is refused before anything is allocated.
// RUN: not qkv-run %s --entry big_alloc --executor reference --memory-budget 1G 2>&1 | filecheck %s --check-prefix=ALLOC
// ALLOC: runtime-errors.mlir:[[# @LINE + 3]]:10: error: 'memref.alloc' op allocating memref<100000x100000xf32>: 40,000,000,000 B (37.3 GiB) needed, {{.*}}more than the --memory-budget of 1,073,741,824 B (1.0 GiB)
// ALLOC-NOT: Traceback
func.func @big_alloc(%y: memref<1xf32>) {
  %buf = memref.alloc() : memref<100000x100000xf32>
  return
}
