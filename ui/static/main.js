// Loads the wasm UI; kept out of index.html so the CSP needs no inline script.
import init from "./broadsheet_ui.js";
init();
