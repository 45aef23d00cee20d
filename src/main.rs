//! Entry point of the wasm app: mount the root component on `<body>`.

fn main() {
    // Readable panics in development builds; the release bundle leaves the hook out (1 KB).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(gatehouse_app::App);
}
