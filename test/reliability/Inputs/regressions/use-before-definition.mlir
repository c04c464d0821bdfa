// TOOL: qkv-run
// ARGS: --reference {reference} --memory-budget 256M
// FOUND: internal error (AttributeError: 'NoneType' object has no attribute 'shape'): a value used before its definition in the same task passed verification
builtin.module {
  func.func @proj(%x: memref<1x80xf32>, %w: memref<80x40xf32>, %y: memref<1x40xf32>) {
    %c0 = arith.constant 0 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    %c64 = arith.constant 64 : index
    scf.parallel (%n0) = (%c0) to (%c32) step (%c16) {
      tile.task vector "proj_0" {
        %acc0 = tile.load %y[%c0, %n0] : memref<1x40xf32> -> !tile.tile<1x16xf32, ub>
        %acc_k = scf.for %k0 = %c0 to %c64 step %c32 iter_args(%acc = %acc0) -> (!tile.tile<1x16xf32, ub>) {
          %x_blk = tile.load %x[%c0, %k0] : memref<1x80xf32> -> !tile.tile<1x32xf32, ub>
          %w_blk = tile.load %w[%k0, %n0] : memref<80x40xf32> -> !tile.tile<32x16xf32, ub>
          %w_t = tile.transpose %w_blk : !tile.tile<32x16xf32, ub> -> !tile.tile<16x32xf32, ub>
          %x_rows = tile.col_expand %x_blk : !tile.tile<1x32xf32, ub> -> !tile.tile<16x32xf32, ub>
          %prod = tile.mul %w_t, %x_rows : !tile.tile<16x32xf32, ub>
          %part = tile.row_sum %prod : !tile.tile<16x32xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
          %part_row = tile.reshape %part : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
          %acc_next = tile.add %acc, %part_row : !tile.tile<1x16xf32, ub>
          scf.yield %acc_next : !tile.tile<1x16xf32, ub>
        }
        %x_blk_1 = tile.load %x[%c0, %c64] : memref<1x80xf32> -> !tile.tile<1x16xf32, ub>
        %w_blk_1 = tile.load %w[%c64, %n0] : memref<80x40xf32> -> !tile.tile<16x16xf32, ub>
        %w_t_1 = tile.transpose %w_blk_1 : !tile.tile<16x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %x_rows_1 = tile.col_expand %x_blk_1 : !tile.tile<1x16xf32, ub> -> !tile.tile<16x16xf32, ub>
        %prod_1 = tile.mul %w_t_1, %x_rows_1 : !tile.tile<16x16xf32, ub>
        %part_1 = tile.row_sum %prod_1 : !tile.tile<16x16xf32, ub> -> !tile.tile<16x1xf32, ub, col_major>
        %part_row_1 = tile.reshape %part_1 : !tile.tile<16x1xf32, ub, col_major> -> !tile.tile<1x16xf32, ub>
        %acc_next_1 = tile.add %acc_k, %part_row_1 : !tile.tile<1x16xf32, ub>
        tile.store %acc_next_1, %y[%c0, %n0] : !tile.tile<1x16xf32, ub> -> memref<1x40xf32>
      }
      scf.reduce
    }
    tile.task vector "proj_0_ntail" {
      %acc0_1 = tile.load %y[%c0, %c32] : memref<1x40xf32> -> !tile.tile<1x8xf32, ub>
      %acc_k_1 = scf.for %k0_1 = %c0 to %c64 step %c32 iter_args(%acc_1 = %acc0_1) -> (!tile.tile<1x8xf32, ub>) {
        %x_blk_2 = tile.load %x[%c0, %k0_1] : memref<1x80xf32> -> !tile.tile<1x32xf32, ub>
        %w_blk_2 = tile.load %w[%k0_1, %c32] : memref<80x40xf32> -> !tile.tile<32x8xf32, ub>
        %w_t_2 = tile.transpose %w_blk_2 : !tile.tile<32x8xf32, ub> -> !tile.tile<8x32xf32, ub>
        %x_rows_2 = tile.col_expand %x_blk_2 : !tile.tile<1x32xf32, ub> -> !tile.tile<8x32xf32, ub>
        %prod_2 = tile.mul %w_t_2, %x_rows_2 : !tile.tile<8x32xf32, ub>
        %part_2 = tile.row_sum %prod_2 : !tile.tile<8x32xf32, ub> -> !tile.tile<8x1xf32, ub, col_major>
        %part_row_2 = tile.reshape %part_3 : !tile.tile<8x1xf32, ub, col_major> -> !tile.tile<1x8xf32, ub>
        %acc_next_2 = tile.add %acc_1, %part_row_2 : !tile.tile<1x8xf32, ub>
        scf.yield %acc_next_2 : !tile.tile<1x8xf32, ub>
      }
      %x_blk_3 = tile.load %x[%c0, %c64] : memref<1x80xf32> -> !tile.tile<1x16xf32, ub>
      %w_blk_3 = tile.load %w[%c64, %c32] : memref<80x40xf32> -> !tile.tile<16x8xf32, ub>
      %w_t_3 = tile.transpose %w_blk_3 : !tile.tile<16x8xf32, ub> -> !tile.tile<8x16xf32, ub>
      %x_rows_3 = tile.col_expand %x_blk_3 : !tile.tile<1x16xf32, ub> -> !tile.tile<8x16xf32, ub>
      %prod_3 = tile.mul %w_t_3, %x_rows_3 : !tile.tile<8x16xf32, ub>
      %part_3 = tile.row_sum %prod_3 : !tile.tile<8x16xf32, ub> -> !tile.tile<8x1xf32, ub, col_major>
      %part_row_3 = tile.reshape %part_3 : !tile.tile<8x1xf32, ub, col_major> -> !tile.tile<1x8xf32, ub>
      %acc_next_3 = tile.add %acc_k_1, %part_row_3 : !tile.tile<1x8xf32, ub>
      tile.store %acc_next_3, %y[%c0, %c32] : !tile.tile<1x8xf32, ub> -> memref<1x40xf32>
    }
    func.return
  }
}
