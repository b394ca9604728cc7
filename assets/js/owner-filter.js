// Progressive enhancement for the action form: the "Owner" list shows only the people of the chosen
// owning agency (its options are grouped under each agency's name). Without this script every group is
// shown and the server refuses an owner of another agency by the field, in words.
const agency = document.querySelector("[data-owner-agency]");
const owner = document.querySelector("[data-owner-person]");

function follow() {
  const chosen = agency.selectedIndex > 0 ? agency.options[agency.selectedIndex].text : null;
  for (const group of owner.querySelectorAll("optgroup")) {
    const shown = chosen === null || group.label === chosen;
    group.hidden = !shown;
    group.disabled = !shown;
  }
  if (owner.selectedOptions.length && owner.selectedOptions[0].parentElement.disabled) {
    owner.value = "";
  }
}

if (agency && owner) {
  agency.addEventListener("change", follow);
  follow();
}
