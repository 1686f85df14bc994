;; The edge handler deliverable: a component that imports only WASI preview2 interfaces
;; its profile grants (http, clocks). Compliant.
(component
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance
    (export "now" (func (result u64)))
  ))
  (import "wasi:http/outgoing-handler@0.2.0" (instance))
)
