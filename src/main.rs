//! Entry point of the wasm app: mount the root component on `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(gatehouse_app::App);
}
