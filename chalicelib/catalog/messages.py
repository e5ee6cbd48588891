"""Messages of the catalog (French first, English on Accept-Language: en)."""
from chalicelib.core.i18n import T

PRODUCT_CREATED = T("Produit créé avec succès", "Product created successfully")
PRODUCT_UPDATED = T("Produit mis à jour avec succès", "Product updated successfully")
PRODUCT_DELETED = T("Produit supprimé avec succès", "Product deleted successfully")
PRODUCT_RESTORED = T("Produit restauré avec succès", "Product restored successfully")
PRODUCT_NOT_FOUND = T("Produit non trouvé", "Product not found")
PRODUCT_NOT_DELETED = T("Ce produit n'est pas supprimé.", "This product is not deleted.")
CATEGORY_MISSING = T("La catégorie sélectionnée n'existe pas.", "The selected category does not exist.")
STORE_MISSING = T("Le magasin {store_id} n'existe pas.", "Store {store_id} does not exist.")
DUPLICATE_IDS = T("La liste contient des doublons.", "The list contains duplicates.")
UNSUPPORTED_FILTERS = T("Combinaison de filtres non prise en charge : {detail}.", "Unsupported filter combination: {detail}.")
UNKNOWN_INCLUDE = T("Inclusion inconnue : {names}. Valeurs possibles : {allowed}.",
                    "Unknown include: {names}. Allowed: {allowed}.")
LIST_INCLUDE = T("Sur une liste, seules les inclusions {allowed} sont disponibles.",
                 "On a list, only the {allowed} includes are available.")
LIST_INCLUDE_PAGE = T("Avec des inclusions, per_page est limité à {max}.", "With includes, per_page is limited to {max}.")
LINK_NOT_FOUND = T("Ce produit n'est pas rattaché à ce magasin", "This product is not attached to this store")
NOT_ATTACHED = T("Le produit n'est pas rattaché à ce magasin.", "The product is not attached to this store.")
TOO_MANY_LINKS = T("Ce produit est lié à trop de magasins pour cette opération ({max} au plus).",
                   "This product is linked to too many stores for this operation (at most {max}).")

OPTION_CREATED = T("Option créée avec succès", "Option created successfully")
OPTION_UPDATED = T("Option mise à jour avec succès", "Option updated successfully")
OPTION_DELETED = T("Option supprimée avec succès", "Option deleted successfully")
OPTION_NOT_FOUND = T("Option non trouvée", "Option not found")
OPTION_NAME_TAKEN = T("Ce produit a déjà une option de ce nom.", "This product already has an option with this name.")
OPTION_LIMIT = T("Un produit ne peut pas avoir plus de {max} options.", "A product cannot have more than {max} options.")
OPTION_IN_USE = T("Impossible de supprimer une option dont une valeur est utilisée par une variante.",
                  "An option whose value a variant uses cannot be deleted.")

VALUE_CREATED = T("Valeur créée avec succès", "Value created successfully")
VALUE_UPDATED = T("Valeur mise à jour avec succès", "Value updated successfully")
VALUE_DELETED = T("Valeur supprimée avec succès", "Value deleted successfully")
VALUE_NOT_FOUND = T("Valeur d'option non trouvée", "Option value not found")
VALUE_TAKEN = T("Cette option a déjà cette valeur.", "This option already has this value.")
VALUE_LIMIT = T("Une option ne peut pas avoir plus de {max} valeurs.", "An option cannot have more than {max} values.")
VALUE_IN_USE = T("Impossible de supprimer une valeur utilisée par une variante.", "A value used by a variant cannot be deleted.")

VARIANT_CREATED = T("Variante créée avec succès", "Variant created successfully")
VARIANT_UPDATED = T("Variante mise à jour avec succès", "Variant updated successfully")
VARIANT_DELETED = T("Variante supprimée avec succès", "Variant deleted successfully")
VARIANT_NOT_FOUND = T("Variante non trouvée", "Variant not found")
SKU_TAKEN = T("Ce SKU est déjà utilisé.", "This SKU is already in use.")
VARIANT_LIMIT = T("Un produit ne peut pas avoir plus de {max} variantes.", "A product cannot have more than {max} variants.")
COMBINATION_TAKEN = T("Une autre variante de ce produit a déjà cette combinaison de valeurs.",
                      "Another variant of this product already has this combination of values.")
VALUES_UNKNOWN = T("Ces valeurs n'appartiennent pas aux options de ce produit : {ids}.",
                   "These values do not belong to this product's options: {ids}.")
VALUES_SAME_OPTION = T("Une variante ne peut avoir qu'une valeur par option.", "A variant can have only one value per option.")
PRICE_FORMAT = T("Le montant doit être une chaîne décimale positive avec au plus deux décimales (ex. \"19.90\").",
                 "The amount must be a positive decimal string with at most two decimals (e.g. \"19.90\").")
COMPARE_AT_BELOW_PRICE = T("Le prix barré (compare_at_price) doit être supérieur ou égal au prix.",
                           "The compare_at_price must be greater than or equal to the price.")

STOCK_NOT_FOUND = T("Aucun stock pour cette variante dans ce magasin", "No stock for this variant in this store")
STOCK_INSUFFICIENT = T("Stock insuffisant : la quantité ne peut pas devenir négative",
                       "Insufficient stock: the quantity cannot go below zero")
STOCK_ABOVE_CAP = T("Stock trop élevé : la quantité ne peut pas dépasser 1 000 000 000",
                    "Stock too high: the quantity cannot exceed 1,000,000,000")
STOCK_BELOW_RESERVED = T("Stock insuffisant : la quantité ne peut pas descendre sous les {reserved} unités réservées",
                         "Insufficient stock: the quantity cannot go below the {reserved} reserved units")
STOCK_RESERVED = T("Ce stock a {reserved} unités réservées : libérez ou validez les réservations d'abord",
                   "This stock has {reserved} reserved units: release or commit the reservations first")
STOCK_SHORT = T("Stock disponible insuffisant : {available} disponible(s)", "Not enough available stock: {available} available")
NOT_STOCKED = T("Cette variante n'a pas de stock dans ce magasin", "This variant has no stock in this store")
VARIANTS_REPEATED = T("Chaque variante ne peut apparaître qu'une fois.", "Each variant may appear only once.")
RESERVATION_NOT_FOUND = T("Réservation non trouvée", "Reservation not found")
RESERVATION_CREATED = T("Réservation créée", "Reservation created")
RESERVATION_COMMITTED = T("Réservation validée", "Reservation committed")
RESERVATION_RELEASED = T("Réservation libérée", "Reservation released")
RESERVATION_NOT_ACTIVE = T("Cette réservation n'est plus active (statut : {status})",
                           "This reservation is no longer active (status: {status})")
RESERVATION_HOLD_GONE = T("Des unités réservées ne sont plus en stock : rien n'a été validé",
                          "Some reserved units are no longer stocked: nothing was committed")
HOLD_GONE = T("Plus de stock de cette variante dans ce magasin", "This variant is no longer stocked in this store")
RESERVATION_SHORT = T("Stock disponible insuffisant : rien n'a été réservé", "Not enough available stock: nothing was reserved")

PRICE_SAVED = T("Prix du magasin enregistré", "Store price saved")
PRICE_DELETED = T("Prix du magasin supprimé : le prix de base s'applique", "Store price deleted: the base price applies")
PRICES_SAVED = T("Prix du magasin enregistrés", "Store prices saved")
PRICE_NOT_FOUND = T("Ce magasin n'a pas de prix pour cette variante", "This store has no price for this variant")
STORE_NOT_FOUND = T("Magasin non trouvé", "Store not found")
PRICE_ROW_DUPLICATE = T("Cette variante figure déjà plus haut dans la requête.",
                        "This variant already appears earlier in the request.")
CURRENCY_LOCKED = T("La devise d'un magasin ne peut pas changer tant qu'il a des prix propres : supprimez-les d'abord.",
                    "A store's currency cannot change while it has its own prices: delete them first.")
