// Dialogs to start a private chat (user search) or a group (name + members).
import { el, clear } from "../dom.js";
import { handleSubmit, setFieldError, clearErrors, showError } from "../forms.js";
import { UserSearch } from "./dialogs.js";
import { displayName } from "./typing.js";

/** actions: {me(), createPrivate(username), createGroup(name, usernames)} */
export function wireNewRoomDialogs(actions) {
  const privateDialog = document.getElementById("new-private-dialog");
  const privateForm = document.getElementById("new-private-form");
  const privateError = document.getElementById("private-error");
  let creating = false;
  const privateSearch = new UserSearch({
    input: document.getElementById("private-search"),
    results: document.getElementById("private-results"),
    note: document.getElementById("private-note"),
    exclude: (u) => u.id === actions.me().id,
    onPick: async (user) => {
      if (creating) return;
      creating = true;
      privateError.hidden = true;
      for (const b of privateForm.querySelectorAll("button")) b.disabled = true;
      try {
        await actions.createPrivate(user.username);
        privateDialog.close();
      } catch (error) {
        privateError.textContent = error.message;
        privateError.hidden = false;
      } finally {
        creating = false;
        for (const b of privateForm.querySelectorAll("button")) b.disabled = false;
      }
    },
  });
  privateForm.addEventListener("submit", (event) => event.preventDefault());
  document.getElementById("new-private-button").addEventListener("click", () => {
    privateSearch.reset();
    privateError.hidden = true;
    privateDialog.showModal();
    privateSearch.input.focus();
  });

  const groupDialog = document.getElementById("new-group-dialog");
  const groupForm = document.getElementById("new-group-form");
  const chips = document.getElementById("group-members");
  const selected = new Map(); // username → user
  const renderChips = () => {
    clear(chips);
    for (const user of selected.values()) {
      chips.append(el("li", { class: "chip", data: { username: user.username } },
        el("span", { text: displayName(user) }),
        el("button", {
          text: "✕",
          attrs: { type: "button", "aria-label": `Remove ${displayName(user)}` },
          on: { click: () => { selected.delete(user.username); renderChips(); groupSearch.render(); groupSearch.input.focus(); } },
        })));
    }
  };
  const groupSearch = new UserSearch({
    input: document.getElementById("group-search"),
    results: document.getElementById("group-results"),
    exclude: (u) => u.id === actions.me().id || selected.has(u.username),
    onPick: (user) => {
      selected.set(user.username, user);
      renderChips();
      groupSearch.reset();
      groupSearch.input.focus();
    },
  });
  document.getElementById("new-group-button").addEventListener("click", () => {
    groupForm.reset();
    clearErrors(groupForm);
    selected.clear();
    renderChips();
    groupSearch.reset();
    groupDialog.showModal();
    groupForm.elements.name.focus();
  });
  handleSubmit(groupForm, async ({ name }) => {
    if (!name.trim()) return void setFieldError(groupForm, "name", "Enter a name for the group.");
    await actions.createGroup(name.trim(), [...selected.keys()]);
    groupDialog.close();
  }, {
    onError(error) {
      showError(groupForm, error);
      return true;
    },
  });
}
