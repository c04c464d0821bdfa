// TOOL: qkv-opt
// ARGS: --check-target
// FOUND: hang (xDSL's string-literal pattern backtracked exponentially on an unclosed quote)
func.func @k_proj(%x: memref<1x64xbf16>, %y: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.task vector "k_proj_0_a_task_name_long_enough_to_never_finish {
    %x_blk = tile.load %x[%c0, %c0] : memref<1x64xbf16> -> !tile.tile<1x64xbf16, ub>
  }
  return
}
