// The live explorers (tools/sphinx/live_kernel.py): show the start buttons only when this
// script runs, open the JupyterLite console on demand, and say when Python is ready.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".live-explorer")) box.hidden = false;
});

// The console fills its frame: make the frame as tall as what the console shows, plus its prompt.
function fitToContent(frame) {
  const content = frame.contentDocument.querySelector(".jp-CodeConsole-content");
  if (!content) return;
  const cells = [...content.children];
  if (!cells.length) return;
  const used = cells.at(-1).getBoundingClientRect().bottom - cells[0].getBoundingClientRect().top;
  const chrome = frame.clientHeight - content.clientHeight; // the toolbar and the prompt
  const height = `${Math.round(Math.min(Math.max(used + chrome + 24, 400), 1600))}px`;
  if (frame.style.height !== height) frame.style.height = height;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.live-start");
  if (!button) return;
  const box = button.closest(".live-explorer");
  const status = box.querySelector(".live-status");
  const frame = document.createElement("iframe");
  frame.id = button.dataset.frameId;
  frame.className = "live-frame";
  frame.title = "Live explorer: Python running in this page";
  frame.src = button.dataset.src;
  button.hidden = true;
  status.textContent = "Starting Python in your browser…";
  box.appendChild(frame);
  const started = Date.now();
  const poll = setInterval(() => {
    let ready = false;
    try {
      const kernel = frame.contentWindow.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
      ready = kernel?.status === "idle" && !!frame.contentDocument.querySelector(".jupyter-widgets .widget-slider");
    } catch (e) {
      ready = false; // the console is still loading
    }
    if (ready && !box.classList.contains("live-ready")) {
      box.classList.add("live-ready");
      status.textContent = `Live: Python started in ${Math.round((Date.now() - started) / 1000)} s. ` +
        "Change a control and its output is redrawn here; the static output stays on the page for reference.";
    }
    if (ready) fitToContent(frame);
  }, 500);
});
