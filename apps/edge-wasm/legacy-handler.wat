;; A core module built for WASI preview1: imports wasi_snapshot_preview1. Not compliant.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start"))
)
