"""Messages of the categories domain (French first, English on Accept-Language: en)."""
from chalicelib.core.i18n import T

CATEGORY_CREATED = T("Catégorie créée avec succès", "Category created successfully")
CATEGORY_UPDATED = T("Catégorie mise à jour avec succès", "Category updated successfully")
CATEGORY_DELETED = T("Catégorie supprimée avec succès", "Category deleted successfully")
CATEGORY_NOT_FOUND = T("Catégorie non trouvée", "Category not found")
PARENT_MISSING = T("La catégorie parente sélectionnée n'existe pas.", "The selected parent category does not exist.")
PARENT_CYCLE = T("Une catégorie ne peut pas être placée sous elle-même ou sous l'une de ses sous-catégories.",
                 "A category cannot be placed under itself or one of its subcategories.")
TOO_DEEP = T("L'arborescence des catégories est limitée à {max} niveaux.",
             "The category tree is limited to {max} levels.")
MOVE_WITH_CHILDREN = T("Une catégorie qui a des sous-catégories ne peut pas changer de parent : déplacez d'abord ses sous-catégories.",
                       "A category with subcategories cannot change parent: move its subcategories first.")
HAS_CHILDREN = T("Impossible de supprimer une catégorie qui a des sous-catégories.",
                 "A category with subcategories cannot be deleted.")
HAS_PRODUCTS = T("Impossible de supprimer une catégorie qui contient des produits.",
                 "A category that holds products cannot be deleted.")
