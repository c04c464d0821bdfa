// Qwen3-14B K and V projections at decode batch 16, hand-lowered to the batch
// form of the AIV transposed row-sum (ascend-tile-facts F1.2, last paragraph):
//   k[16, 1024] += x[16, 5120] @ wk[5120, 1024]
// 64 vector tasks of NV = 16 output columns; per K-block of KC = 512 the W block
// is loaded and transposed once and reused for all 16 batch rows: for each
// column j, col_expand_mul(x[16, KC], wT[j, :]) then row_sum gives the [16, 1]
// column j of the block's partial sum, inserted into a [16, 16] tile that is
// added to the accumulator (initialised from k, so a non-zero k is honoured).
// The bench uses it until the aiv-rowsum pass exists (KC = 512 as in the
// reference PR's first version; the pass picks kc from the UB budget).

func.func @k_proj(%x: memref<16x5120xbf16>, %wk: memref<5120x1024xbf16>, %k: memref<16x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nv = arith.constant 16 : index
  %n = arith.constant 1024 : index
  %kc = arith.constant 512 : index
  %kdim = arith.constant 5120 : index
  scf.parallel (%n0) = (%c0) to (%n) step (%nv) {
    tile.task vector "k_proj" {
      %acc0 = tile.load %k[%c0, %n0] : memref<16x1024xf32> -> !tile.tile<16x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %kdim step %kc iter_args(%a = %acc0) -> (!tile.tile<16x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<16x5120xbf16> -> !tile.tile<16x512xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<16x512xbf16, ub> -> !tile.tile<16x512xf32, ub>
        %w_blk = tile.load %wk[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<512x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<512x16xbf16, ub> -> !tile.tile<512x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<512x16xf32, ub> -> !tile.tile<16x512xf32, ub>
        %zero = tile.full 0.0 : !tile.tile<16x16xf32, ub>
        %blk = scf.for %j = %c0 to %nv step %c1 iter_args(%p = %zero) -> (!tile.tile<16x16xf32, ub>) {
          %w_row = tile.extract %w_t[%j, %c0] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x512xf32, ub>
          %prod = tile.col_expand_mul %x_f32, %w_row : !tile.tile<16x512xf32, ub>, !tile.tile<1x512xf32, ub> -> !tile.tile<16x512xf32, ub>
          %col = tile.row_sum %prod : !tile.tile<16x512xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
          %p_next = tile.insert %col into %p[%c0, %j] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
          scf.yield %p_next : !tile.tile<16x16xf32, ub>
        }
        %a_next = tile.add %a, %blk : !tile.tile<16x16xf32, ub>
        scf.yield %a_next : !tile.tile<16x16xf32, ub>
      }
      tile.store %acc, %k[%c0, %n0] : !tile.tile<16x16xf32, ub> -> memref<16x1024xf32>
    }
    scf.reduce
  }
  return
}

func.func @v_proj(%x: memref<16x5120xbf16>, %wv: memref<5120x1024xbf16>, %v: memref<16x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %nv = arith.constant 16 : index
  %n = arith.constant 1024 : index
  %kc = arith.constant 512 : index
  %kdim = arith.constant 5120 : index
  scf.parallel (%n0) = (%c0) to (%n) step (%nv) {
    tile.task vector "v_proj" {
      %acc0 = tile.load %v[%c0, %n0] : memref<16x1024xf32> -> !tile.tile<16x16xf32, ub>
      %acc = scf.for %k0 = %c0 to %kdim step %kc iter_args(%a = %acc0) -> (!tile.tile<16x16xf32, ub>) {
        %x_blk = tile.load %x[%c0, %k0] : memref<16x5120xbf16> -> !tile.tile<16x512xbf16, ub>
        %x_f32 = tile.cast %x_blk : !tile.tile<16x512xbf16, ub> -> !tile.tile<16x512xf32, ub>
        %w_blk = tile.load %wv[%k0, %n0] : memref<5120x1024xbf16> -> !tile.tile<512x16xbf16, ub>
        %w_f32 = tile.cast %w_blk : !tile.tile<512x16xbf16, ub> -> !tile.tile<512x16xf32, ub>
        %w_t = tile.transpose %w_f32 : !tile.tile<512x16xf32, ub> -> !tile.tile<16x512xf32, ub>
        %zero = tile.full 0.0 : !tile.tile<16x16xf32, ub>
        %blk = scf.for %j = %c0 to %nv step %c1 iter_args(%p = %zero) -> (!tile.tile<16x16xf32, ub>) {
          %w_row = tile.extract %w_t[%j, %c0] : !tile.tile<16x512xf32, ub> -> !tile.tile<1x512xf32, ub>
          %prod = tile.col_expand_mul %x_f32, %w_row : !tile.tile<16x512xf32, ub>, !tile.tile<1x512xf32, ub> -> !tile.tile<16x512xf32, ub>
          %col = tile.row_sum %prod : !tile.tile<16x512xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
          %p_next = tile.insert %col into %p[%c0, %j] : !tile.tile<16x1xf32, ub, col_major> into !tile.tile<16x16xf32, ub>
          scf.yield %p_next : !tile.tile<16x16xf32, ub>
        }
        %a_next = tile.add %a, %blk : !tile.tile<16x16xf32, ub>
        scf.yield %a_next : !tile.tile<16x16xf32, ub>
      }
      tile.store %acc, %v[%c0, %n0] : !tile.tile<16x16xf32, ub> -> memref<16x1024xf32>
    }
    scf.reduce
  }
  return
}
