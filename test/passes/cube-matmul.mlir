// cube-matmul: linalg.matmul -> cube split-K tasks (facts F1.1).
// RUN: qkv-opt --cube-matmul --split-input-file %s | filecheck %s
// RUN: qkv-opt --cube-matmul='tn=128 tk=128 k-slice=512' --split-input-file %s | filecheck %s --check-prefix=SMALL
// RUN: qkv-opt --cube-matmul='tm=32' --split-input-file %s | filecheck %s --check-prefix=TM32
// RUN: qkv-opt --cube-matmul --split-input-file %s | qkv-opt --split-input-file | filecheck %s
// RUN: qkv-opt --cube-matmul --split-input-file --print-op-generic %s | qkv-opt --split-input-file | filecheck %s

// Qwen3-14B K projection at batch 1: the batch is padded to 16 rows (valid(1, ...)
// zero-fills the L1 tile, the store writes row 0 only); 4 N-tiles of 256 x 5
// split-K slices of 1024 = 20 tasks; each slice in 256-deep L1 chunks, each
// chunk moved to L0A / L0B in 128-deep steps (a [128, 256] bf16 block is the
// 64 KiB of L0B); f32 accumulation in L0C; atomic-add stores.
// CHECK-LABEL: func.func @k_proj(
// CHECK-NEXT:    %c0 = arith.constant 0 : index
// CHECK-NEXT:    %c1 = arith.constant 1 : index
// CHECK-NEXT:    %c128 = arith.constant 128 : index
// CHECK-NEXT:    %c256 = arith.constant 256 : index
// CHECK-NEXT:    %c1024 = arith.constant 1024 : index
// CHECK-NEXT:    %c5120 = arith.constant 5120 : index
// CHECK-NEXT:    scf.parallel (%n0, %s0) = (%c0, %c0) to (%c1024, %c5120) step (%c256, %c1024) {
// CHECK-NEXT:      tile.task cube "k_proj_0" {
// CHECK-NEXT:        %a_l1 = tile.load %x[%c0, %s0] valid(%c1, %c256) : memref<1x5120xbf16> -> !tile.tile<16x256xbf16, l1>
// CHECK-NEXT:        %b_l1 = tile.load %wk[%s0, %n0] : memref<5120x1024xbf16> -> !tile.tile<256x256xbf16, l1>
// CHECK-NEXT:        %a_l0 = tile.move %a_l1[%c0, %c0] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
// CHECK-NEXT:        %b_l0 = tile.move %b_l1[%c0, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
// CHECK-NEXT:        %acc0 = tile.matmul %a_l0, %b_l0 : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
// CHECK-NEXT:        %a_l0_1 = tile.move %a_l1[%c0, %c128] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
// CHECK-NEXT:        %b_l0_1 = tile.move %b_l1[%c128, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
// CHECK-NEXT:        %acc_next = tile.matmul_acc %acc0, %a_l0_1, %b_l0_1 : !tile.tile<16x256xf32, l0c>, !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
// CHECK-NEXT:        %k1 = arith.addi %s0, %c256 : index
// CHECK-NEXT:        %s_end = arith.addi %s0, %c1024 : index
// CHECK-NEXT:        %acc_s = scf.for %k0 = %k1 to %s_end step %c256 iter_args(%acc = %acc_next) -> (!tile.tile<16x256xf32, l0c>) {
// CHECK-NEXT:          %a_l1_1 = tile.load %x[%c0, %k0] valid(%c1, %c256) : memref<1x5120xbf16> -> !tile.tile<16x256xbf16, l1>
// CHECK-NEXT:          %b_l1_1 = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<256x256xbf16, l1>
// CHECK-NEXT:          %acc_c = scf.for %kk = %c0 to %c256 step %c128 iter_args(%acc_1 = %acc) -> (!tile.tile<16x256xf32, l0c>) {
// CHECK-NEXT:            %a_l0_2 = tile.move %a_l1_1[%c0, %kk] : !tile.tile<16x256xbf16, l1> -> !tile.tile<16x128xbf16, l0a>
// CHECK-NEXT:            %b_l0_2 = tile.move %b_l1_1[%kk, %c0] : !tile.tile<256x256xbf16, l1> -> !tile.tile<128x256xbf16, l0b>
// CHECK-NEXT:            %acc_next_1 = tile.matmul_acc %acc_1, %a_l0_2, %b_l0_2 : !tile.tile<16x256xf32, l0c>, !tile.tile<16x128xbf16, l0a>, !tile.tile<128x256xbf16, l0b> -> !tile.tile<16x256xf32, l0c>
// CHECK-NEXT:            scf.yield %acc_next_1 : !tile.tile<16x256xf32, l0c>
// CHECK-NEXT:          }
// CHECK-NEXT:          scf.yield %acc_c : !tile.tile<16x256xf32, l0c>
// CHECK-NEXT:        }
// CHECK-NEXT:        tile.store %acc_s, %k[%c0, %n0] valid(%c1, %c256) atomic add : !tile.tile<16x256xf32, l0c> -> memref<1x1024xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return
// CHECK-NOT:     linalg.matmul

// tn=128 tk=128 k-slice=512: a [128, 128] bf16 chunk (32 KiB) moves in one
// step, so each chunk is one move pair and one matmul_acc; 8 x 10 tasks.
// SMALL-LABEL: func.func @k_proj(
// SMALL:         scf.parallel (%n0, %s0) = (%c0, %c0) to (%c1024, %c5120) step (%c128, %c512) {
// SMALL:           %b_l1 = tile.load %wk[%s0, %n0] : memref<5120x1024xbf16> -> !tile.tile<128x128xbf16, l1>
// SMALL:           %b_l0 = tile.move %b_l1[%c0, %c0] : !tile.tile<128x128xbf16, l1> -> !tile.tile<128x128xbf16, l0b>
// SMALL:           %acc0 = tile.matmul %a_l0, %b_l0 : !tile.tile<16x128xbf16, l0a>, !tile.tile<128x128xbf16, l0b> -> !tile.tile<16x128xf32, l0c>
// SMALL-NEXT:      %k1 = arith.addi %s0, %c128 : index
// SMALL:           scf.for %k0 = %k1 to %s_end step %c128
// SMALL-NOT:         scf.for %kk
// SMALL:             %acc_next = tile.matmul_acc %acc, %a_l0_1, %b_l0_1
// SMALL:           tile.store %acc_s, %k[%c0, %n0] valid(%c1, %c128) atomic add : !tile.tile<16x128xf32, l0c> -> memref<1x1024xf32>

// TM32-LABEL: func.func @k_proj(
// TM32:           tile.load %x[%c0, %s0] valid(%c1, %c256) : memref<1x5120xbf16> -> !tile.tile<32x256xbf16, l1>
// TM32:           tile.store %acc_s, %k[%c0, %n0] valid(%c1, %c256) atomic add : !tile.tile<32x256xf32, l0c> -> memref<1x1024xf32>
func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  return
}

// -----

// Batch 16 fills the 16 cube rows: no valid extents at all.
// CHECK-LABEL: func.func @k_proj_b16(
// CHECK:         tile.task cube "k_proj_b16_0" {
// CHECK-NEXT:      %a_l1 = tile.load %x[%c0, %s0] : memref<16x5120xbf16> -> !tile.tile<16x256xbf16, l1>
// CHECK:           tile.store %acc_s, %k[%c0, %n0] atomic add : !tile.tile<16x256xf32, l0c> -> memref<16x1024xf32>
func.func @k_proj_b16(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  linalg.matmul ins(%x, %wk : memref<16x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<16x1024xf32>)
  return
}

// -----

// Tails in every axis, zero-padded by valid extents: M = 40 (3 M-tiles, the
// last of 8 rows), N = 600 (the last N-tile 88 wide), K = 3592 (the last
// slice 520 deep, its last chunk 8 deep).  The extents come from arith.minsi.
// CHECK-LABEL: func.func @tails(
// CHECK:         scf.parallel (%m0, %n0, %s0) = (%c0, %c0, %c0) to (%c40, %c600, %c3592) step (%c16, %c256, %c1024) {
// CHECK-NEXT:      tile.task cube "tails_0" {
// CHECK-NEXT:        %m_valid_rest = arith.subi %c40, %m0 : index
// CHECK-NEXT:        %m_valid = arith.minsi %m_valid_rest, %c16 : index
// CHECK-NEXT:        %n_valid_rest = arith.subi %c600, %n0 : index
// CHECK-NEXT:        %n_valid = arith.minsi %n_valid_rest, %c256 : index
// CHECK-NEXT:        %k_valid_rest = arith.subi %c3592, %s0 : index
// CHECK-NEXT:        %k_valid = arith.minsi %k_valid_rest, %c256 : index
// CHECK-NEXT:        %a_l1 = tile.load %x[%m0, %s0] valid(%m_valid, %k_valid) : memref<40x3592xf16> -> !tile.tile<16x256xf16, l1>
// CHECK-NEXT:        %b_l1 = tile.load %w[%s0, %n0] valid(%k_valid, %n_valid) : memref<3592x600xf16> -> !tile.tile<256x256xf16, l1>
// CHECK:             %s_next = arith.addi %s0, %c1024 : index
// CHECK-NEXT:        %s_end = arith.minsi %s_next, %c3592 : index
// CHECK:             tile.store %acc_s, %y[%m0, %n0] valid(%m_valid, %n_valid) atomic add : !tile.tile<16x256xf32, l0c> -> memref<40x600xf32>
func.func @tails(%x: memref<40x3592xf16>, %w: memref<3592x600xf16>, %y: memref<40x600xf32>) {
  linalg.matmul ins(%x, %w : memref<40x3592xf16>, memref<3592x600xf16>) outs(%y : memref<40x600xf32>)
  return
}

// -----

// A small matmul shrinks the tiles to its shape (rounded up to 16): tn = 48,
// tk = k-slice = 112, one k-step, one task.
// CHECK-LABEL: func.func @small(
// CHECK:         scf.parallel (%n0, %s0) = (%c0, %c0) to (%c40, %c100) step (%c48, %c112) {
// CHECK-NEXT:      tile.task cube "small_0" {
// CHECK-NEXT:        %a_l1 = tile.load %x[%c0, %s0] valid(%c1, %c100) : memref<1x100xbf16> -> !tile.tile<16x112xbf16, l1>
// CHECK-NEXT:        %b_l1 = tile.load %w[%s0, %n0] valid(%c100, %c40) : memref<100x40xbf16> -> !tile.tile<112x48xbf16, l1>
// CHECK-NEXT:        %a_l0 = tile.move %a_l1[%c0, %c0] : !tile.tile<16x112xbf16, l1> -> !tile.tile<16x112xbf16, l0a>
// CHECK-NEXT:        %b_l0 = tile.move %b_l1[%c0, %c0] : !tile.tile<112x48xbf16, l1> -> !tile.tile<112x48xbf16, l0b>
// CHECK-NEXT:        %acc0 = tile.matmul %a_l0, %b_l0 : !tile.tile<16x112xbf16, l0a>, !tile.tile<112x48xbf16, l0b> -> !tile.tile<16x48xf32, l0c>
// CHECK-NEXT:        tile.store %acc0, %y[%c0, %n0] valid(%c1, %c40) atomic add : !tile.tile<16x48xf32, l0c> -> memref<1x40xf32>
// CHECK-NEXT:      }
func.func @small(%x: memref<1x100xbf16>, %w: memref<100x40xbf16>, %y: memref<1x40xf32>) {
  linalg.matmul ins(%x, %w : memref<1x100xbf16>, memref<100x40xbf16>) outs(%y : memref<1x40xf32>)
  return
}

// -----

// f32 x f32 -> f32: the move step halves to 64 ([64, 256] f32 is 64 KiB).
// CHECK-LABEL: func.func @f32_inputs(
// CHECK:           %b_l0 = tile.move %b_l1[%c0, %c0] : !tile.tile<256x256xf32, l1> -> !tile.tile<64x256xf32, l0b>
// CHECK:           scf.for %kk = %c64 to %c256 step %c64
func.func @f32_inputs(%x: memref<1x4096xf32>, %w: memref<4096x1024xf32>, %y: memref<1x1024xf32>) {
  linalg.matmul ins(%x, %w : memref<1x4096xf32>, memref<4096x1024xf32>) outs(%y : memref<1x1024xf32>)
  return
}

// -----

// The zero-fill before the matmul is F1.1's seed step: it becomes vector seed
// tasks (tile.full + tile.store per output block) ahead of the atomic adds.
// CHECK-LABEL: func.func @seeded(
// CHECK-NOT:     linalg.fill
// CHECK:         scf.parallel (%n0) = (%c0) to (%c1024) step (%c256) {
// CHECK-NEXT:      tile.task vector "seeded_0_seed" {
// CHECK-NEXT:        %seed = tile.full 0.000000e+00 : !tile.tile<1x256xf32, ub>
// CHECK-NEXT:        tile.store %seed, %k[%c0, %n0] : !tile.tile<1x256xf32, ub> -> memref<1x1024xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }
// CHECK-NEXT:    scf.parallel (%n0_1, %s0) = (%c0, %c0) to (%c1024, %c5120) step (%c256, %c1024) {
// CHECK-NEXT:      tile.task cube "seeded_0" {
// CHECK:             atomic add
func.func @seeded(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%k : memref<1x1024xf32>)
  linalg.matmul ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  return
}

// -----

// Unit selection: tile.unit = "vector" is left for aiv-rowsum, everything else
// (unmarked, "cube", any batch) goes to the cube; task names follow the
// matmul's position in the function.
// CHECK-LABEL: func.func @units(
// CHECK:         tile.task cube "units_0"
// CHECK:         linalg.matmul {tile.unit = "vector"} ins(%x, %wk
// CHECK:         tile.task cube "units_2"
func.func @units(%x: memref<1x5120xbf16>, %wq: memref<5120x5120xbf16>, %wk: memref<5120x1024xbf16>, %q: memref<1x5120xf32>, %k: memref<1x1024xf32>, %x32: memref<32x256xbf16>, %w32: memref<256x64xbf16>, %y32: memref<32x64xf32>) {
  linalg.matmul {tile.unit = "cube"} ins(%x, %wq : memref<1x5120xbf16>, memref<5120x5120xbf16>) outs(%q : memref<1x5120xf32>)
  linalg.matmul {tile.unit = "vector"} ins(%x, %wk : memref<1x5120xbf16>, memref<5120x1024xbf16>) outs(%k : memref<1x1024xf32>)
  linalg.matmul ins(%x32, %w32 : memref<32x256xbf16>, memref<256x64xbf16>) outs(%y32 : memref<32x64xf32>)
  return
}
