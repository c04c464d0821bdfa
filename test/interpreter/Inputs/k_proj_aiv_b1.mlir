// Qwen3-14B K projection at decode batch 1, hand-lowered to the AIV
// transposed row-sum form of ascend-tile-facts F1.2 (what `aiv-rowsum` emits):
//   k[1, 1024] += x[1, 5120] @ wk[5120, 1024]
// 64 vector tasks, one per N sub-tile of NV = 16 columns; each walks the
// K = 5120 range in 5 blocks of KC = 1024.  The accumulator starts as the
// output block itself (tile.load of k), so a non-zero initial k is honoured.
// @v_proj is the same program for the V projection (same shapes).
//
//   qkv-run k_proj_aiv_b1.mlir --entry k_proj --reference examples/qwen3_14b_kv_proj.mlir

func.func @k_proj(%x: memref<1x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %nv = arith.constant 16 : index
  %n = arith.constant 1024 : index
  %kc = arith.constant 1024 : index
  %kdim = arith.constant 5120 : index
  scf.parallel (%n0) = (%c0) to (%n) step (%nv) {
    tile.task vector "k_proj" {
      %acc0 = tile.load %k[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %kdim step %kc iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
        %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a_next = tile.add %a, %part_row : !tile.tile<1x16xf32, ub>
        scf.yield %a_next : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %k[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  return
}

func.func @v_proj(%x: memref<1x5120xbf16>, %wv: memref<5120x1024xbf16>, %v: memref<1x1024xf32>) {
  %c0 = arith.constant 0 : index
  %nv = arith.constant 16 : index
  %n = arith.constant 1024 : index
  %kc = arith.constant 1024 : index
  %kdim = arith.constant 5120 : index
  scf.parallel (%n0) = (%c0) to (%n) step (%nv) {
    tile.task vector "v_proj" {
      %acc0 = tile.load %v[%c0, %n0] : memref<1x1024xf32> -> !tile.tile<1x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %kdim step %kc iter_args(%a = %acc0) -> (!tile.tile<1x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<1x5120xbf16> -> !tile.tile<1x1024xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<1x1024xbf16, ub> -> !tile.tile<1x1024xf32, ub>
        %w_blk = tile.load %wv[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<1024x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<1024x16xbf16, ub> -> !tile.tile<1024x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<1024x16xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %x_rows = tile.col_expand %x_f32 : !tile.tile<1x1024xf32, ub> -> !tile.tile<16x1024xf32, ub>
        %prod = tile.mul %w_t, %x_rows : !tile.tile<16x1024xf32, ub>
        %part = tile.row_sum %prod : !tile.tile<16x1024xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %a_next = tile.add %a, %part_row : !tile.tile<1x16xf32, ub>
        scf.yield %a_next : !tile.tile<1x16xf32, ub>
      }
      tile.store %acc, %v[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x1024xf32>
    }
    scf.reduce
  }
  return
}
