// The room details dialog: members with online dots, rename, picture, add
// member (groups), clear history, leave (groups).
import { el, clear, avatar } from "../dom.js";
import { handleSubmit, setFieldError, setStatus, setFormError, clearErrors, setFormBusy, showError } from "../forms.js";
import { confirmDialog, UserSearch } from "./dialogs.js";
import { displayName } from "./typing.js";

const MAX_PICTURE = 2 * 1024 * 1024;

export class RoomMenu {
  /** actions: {room(), members(), me(), isOnline(id), rename, setPicture, addMember, clearHistory, leave} */
  constructor(actions) {
    this.actions = actions;
    this.dialog = document.getElementById("room-dialog");
    this.renameForm = document.getElementById("rename-form");
    this.pictureForm = document.getElementById("picture-form");
    this.addForm = document.getElementById("add-member-form");
    this.errorSlot = document.getElementById("room-dialog-error");

    handleSubmit(this.renameForm, async ({ name }) => {
      if (!name.trim()) return void setFieldError(this.renameForm, "name", "Enter a name.");
      await actions.rename(name.trim());
      setStatus(this.renameForm, "Renamed.");
    });

    const pictureInput = document.getElementById("room-picture-input");
    document.getElementById("room-picture-button").addEventListener("click", () => pictureInput.click());
    pictureInput.addEventListener("change", async () => {
      const file = pictureInput.files[0];
      pictureInput.value = "";
      if (!file) return;
      clearErrors(this.pictureForm);
      if (file.size > MAX_PICTURE) return setFormError(this.pictureForm, "That picture is larger than 2 MB.");
      setFormBusy(this.pictureForm, true);
      try {
        await actions.setPicture(file);
        setStatus(this.pictureForm, "Picture changed.");
        this.render();
      } catch (error) {
        showError(this.pictureForm, error);
      } finally {
        setFormBusy(this.pictureForm, false);
      }
    });

    this.addForm.addEventListener("submit", (event) => event.preventDefault());
    this.search = new UserSearch({
      input: document.getElementById("add-member-search"),
      results: document.getElementById("add-member-results"),
      exclude: (u) => (actions.members() || []).some((m) => m.id === u.id),
      onPick: async (user) => {
        clearErrors(this.addForm);
        setFormBusy(this.addForm, true);
        try {
          await actions.addMember(user.username);
          this.search.reset();
          setStatus(this.addForm, `${displayName(user)} was added.`);
          this.search.input.focus();
        } catch (error) {
          showError(this.addForm, error);
        } finally {
          setFormBusy(this.addForm, false);
        }
      },
    });

    document.getElementById("clear-history-button").addEventListener("click", () => this.confirmThen(
      "Clear history?", "The messages of this room will disappear for you. Others still see them.", "Clear history", actions.clearHistory));
    document.getElementById("leave-room-button").addEventListener("click", () => this.confirmThen(
      "Leave this group?", "You will no longer see its messages unless someone adds you again.", "Leave group", actions.leave));
  }

  async confirmThen(title, text, label, action) {
    this.dialog.close();
    if (!(await confirmDialog(title, text, label))) return;
    try {
      await action();
    } catch (error) {
      this.errorSlot.textContent = error.message;
      this.errorSlot.hidden = false;
      this.dialog.showModal();
    }
  }

  open() {
    for (const f of [this.renameForm, this.pictureForm, this.addForm]) clearErrors(f);
    this.errorSlot.hidden = true;
    this.search.reset();
    this.render();
    if (!this.dialog.open) this.dialog.showModal();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  /** Re-renders the open dialog (members, online state, name). */
  render() {
    const room = this.actions.room();
    if (!room) return this.close();
    const group = room.kind === "group";
    this.dialog.classList.toggle("is-group", group);
    document.getElementById("room-dialog-title").textContent = room.name;
    const renameInput = document.getElementById("rename-input");
    if (document.activeElement !== renameInput) renameInput.value = room.name;
    const preview = document.getElementById("room-picture-preview");
    clear(preview);
    preview.append(avatar({ url: room.picture_url, name: room.name, key: `room${room.id}`, size: "md" }));
    document.getElementById("clear-history-button").hidden = false;

    const list = document.getElementById("member-list");
    clear(list);
    const me = this.actions.me();
    const members = [...(this.actions.members() || [])].sort((a, b) => displayName(a).localeCompare(displayName(b)));
    for (const m of members) {
      const online = this.actions.isOnline(m.id);
      list.append(el("li", { class: "member", data: { userId: m.id, online: online ? "true" : "false" } },
        avatar({ url: m.avatar_url, name: displayName(m), key: m.id, size: "sm", online }),
        el("span", {},
          el("span", { class: "member__name", text: displayName(m) + (m.id === me.id ? " (you)" : "") }),
          el("br"),
          el("span", { class: "member__status", text: `@${m.username} · ${online ? "online" : "offline"}` }))));
    }
    if (members.length === 0) list.append(el("li", { class: "muted", text: "Loading members…" }));
  }

  get isOpen() {
    return this.dialog.open;
  }
}
