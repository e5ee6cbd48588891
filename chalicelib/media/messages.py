"""The media domain's messages, French first (docs/api.md §1)."""
from __future__ import annotations

from chalicelib.core.i18n import T

UPLOAD_READY = T("Téléversement autorisé : envoyez le fichier à l'URL fournie", "Upload authorised: send the file to the given URL")
FILE_READY = T("Fichier vérifié et prêt", "File verified and ready")
FILE_DELETED = T("Fichier supprimé", "File deleted")
GALLERY_UPDATED = T("Galerie mise à jour", "Gallery updated")
IMAGE_REMOVED = T("Image retirée de la galerie", "Image removed from the gallery")

FILE_NOT_FOUND = T("Fichier non trouvé", "File not found")
NOT_IN_GALLERY = T("Ce fichier n'est pas dans la galerie", "This file is not in the gallery")
NOT_UPLOADED = T("Aucun fichier n'a encore été téléversé : envoyez-le d'abord à l'URL de téléversement, puis réessayez.",
                 "No file has been uploaded yet: send it to the upload URL first, then try again.")
UPLOAD_REJECTED = T("Le fichier téléversé a été refusé", "The uploaded file was rejected")
SIZE_MISMATCH = T("Le fichier reçu fait {actual} octets au lieu des {expected} annoncés.",
                  "The received file is {actual} bytes instead of the announced {expected}.")
TYPE_MISMATCH = T("Le contenu du fichier ne correspond pas au type annoncé ({content_type}).",
                  "The file content does not match the announced type ({content_type}).")
ALREADY_REJECTED = T("Ce fichier a été refusé à la vérification ; demandez un nouveau téléversement.",
                     "This file was rejected at verification; ask for a new upload.")

UNKNOWN_FILE = T("Le fichier {id} n'existe pas.", "The file {id} does not exist.")
FILE_NOT_READY = T("Le fichier {id} n'est pas prêt (statut : {status}) ; seuls les fichiers prêts entrent dans une galerie.",
                   "The file {id} is not ready (status: {status}); only ready files can join a gallery.")
ALREADY_IN_GALLERY = T("Le fichier {id} est déjà dans la galerie.", "The file {id} is already in the gallery.")
GALLERY_FULL = T("Une galerie contient au plus {max} images ({count} déjà présentes).",
                 "A gallery holds at most {max} images ({count} already there).")
