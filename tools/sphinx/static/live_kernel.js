// The live explorers (tools/sphinx/live_kernel.py): show the start buttons only when this
// script runs, open the JupyterLite console on demand, and say when Python is ready.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".live-explorer")) box.hidden = false;
});

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
    if (ready) {
      clearInterval(poll);
      box.classList.add("live-ready");
      status.textContent = `Live: Python started in ${Math.round((Date.now() - started) / 1000)} s. ` +
        "Move a slider and the figure is redrawn here; the static figure below stays for reference.";
    }
  }, 500);
});
