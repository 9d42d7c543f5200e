// The export page's "Select all" toggle without its inline onchange attribute, which the
// Content Security Policy blocks (templates/admin/import_export/export.html loads this).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", (event) => onSelectToggleChange(event));
  });
});
