// A module without a function.
builtin.module {
}
