/* Upload progress for the employer's form. Without this script the form posts normally. */
(function () {
  "use strict";
  var form = document.getElementById("offre");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
  var alertBox = document.getElementById("alerte-formulaire");
  var box = document.getElementById("progression");
  var bar = document.getElementById("barre");
  var text = document.getElementById("progression-texte");
  var button = document.getElementById("envoyer");

  function size(bytes) {
    var units = [["Go", 1073741824], ["Mo", 1048576], ["ko", 1024]];
    for (var i = 0; i < units.length; i++) {
      if (bytes >= units[i][1]) {
        return (bytes / units[i][1]).toFixed(bytes >= 10 * units[i][1] ? 0 : 1).replace(".", ",") + " " + units[i][0];
      }
    }
    return bytes + " octets";
  }

  function clearProblems() {
    var messages = form.querySelectorAll(".erreur-champ");
    for (var i = 0; i < messages.length; i++) {
      messages[i].textContent = "";
      messages[i].parentNode.classList.remove("invalide");
    }
    alertBox.hidden = true;
  }

  function showProblem(message, fields) {
    var names = Object.keys(fields || {});
    for (var i = 0; i < names.length; i++) {
      var slot = document.getElementById("e-" + names[i]);
      if (slot) {
        slot.textContent = fields[names[i]];
        slot.parentNode.classList.add("invalide");
      }
    }
    alertBox.textContent = message;
    alertBox.hidden = false;
    box.hidden = true;
    button.disabled = false;
    alertBox.focus();
  }

  function chosenBytes() {
    var total = 0;
    var inputs = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < inputs.length; i++) {
      for (var j = 0; j < inputs[i].files.length; j++) { total += inputs[i].files[j].size; }
    }
    return total;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearProblems();
    var total = chosenBytes();
    if (maxBytes && total > maxBytes) {
      showProblem("Vos fichiers pèsent " + size(total) + ", plus que la limite de " + size(maxBytes) +
        " par envoi. Envoyez moins de vidéos à la fois, ou des vidéos plus courtes.", {});
      return;
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var percent = Math.floor(e.loaded * 100 / e.total);
      bar.value = percent;
      bar.textContent = percent + " %";
      text.textContent = "Envoi en cours : " + percent + " % (" + size(e.loaded) + " sur " + size(e.total) + ")";
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      text.textContent = "Fichiers reçus, vérification des vidéos…";
    });
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (ignored) { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data && data.redirect) {
        window.location.assign(data.redirect);
        return;
      }
      showProblem((data && data.error) || ("L'envoi n'a pas abouti (erreur " + xhr.status + "). Réessayez."),
        data && data.fields);
    });
    xhr.addEventListener("error", function () {
      showProblem("La connexion a été coupée pendant l'envoi. Vérifiez votre connexion internet, puis" +
        " envoyez à nouveau.", {});
    });
    box.hidden = false;
    bar.value = 0;
    text.textContent = "Envoi en cours…";
    button.disabled = true;
    xhr.send(new FormData(form));
  });
}());
