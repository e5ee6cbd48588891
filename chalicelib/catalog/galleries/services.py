"""Gallery use cases: append ready files to a product's or a variant's gallery, take one out.

The owner's `gallery` (ordered file ids) and each file's `galleries` (where it is attached, for deletes) change
in one transaction, guarded by the versions read just before; a concurrent change makes us read again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.models import ProductItem, VariantItem
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import lost_every_race
from chalicelib.core.errors import NotFound, TxCancelled, ValidationFailed
from chalicelib.core.idempotency import IdempotentReplay, current_claim
from chalicelib.core.lookups import lookup
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import IdempotencyRecord, Tx
from chalicelib.media import messages, policies
from chalicelib.media.models import FileItem
from chalicelib.media.schemas import MAX_GALLERY

ATTEMPTS = 3


@dataclass
class Owner:
    """A product or a variant whose gallery we change, and how to name it in FileItem.galleries."""

    item: Any
    ref: str


def attach_to_product(product_id: str, file_ids: list[str], *, actor: Any) -> list[FileItem]:
    """Append ready files to a product's gallery, in the given order."""
    return _attach(lambda extra: _product(product_id, extra), file_ids, actor)


def attach_to_variant(variant_id: str, file_ids: list[str], *, actor: Any) -> list[FileItem]:
    """Append ready files to a variant's gallery, in the given order."""
    located = _locate_variant(variant_id)
    return _attach(lambda extra: _variant(located, extra), file_ids, actor)


def detach_from_product(product_id: str, file_id: str) -> list[FileItem]:
    """Take one file out of a product's gallery."""
    return _detach(lambda extra: _product(product_id, extra), file_id)


def detach_from_variant(variant_id: str, file_id: str) -> list[FileItem]:
    """Take one file out of a variant's gallery."""
    located = _locate_variant(variant_id)
    return _detach(lambda extra: _variant(located, extra), file_id)


def gallery_of(ref: str) -> list[FileItem]:
    """The gallery a FileItem.galleries entry names, rendered again for an Idempotency-Key replay."""
    key = keys.gallery_owner_key(ref)
    found = batch_get([key])
    if key not in found:
        raise NotFound()
    return _gallery_files(found[key].gallery or [], found)


# --- reading the owner together with the files, in one BatchGetItem ---------------------------------------

def _product(product_id: str, file_ids: list[str]) -> tuple[Owner, dict[tuple[str, str], Any]]:
    found = batch_get([keys.product_key(product_id)] + [keys.file_key(f) for f in file_ids])
    product = found.get(keys.product_key(product_id))
    if not isinstance(product, ProductItem) or product.deleted_at:
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    return Owner(product, keys.product_gallery_ref(product_id)), found


def _locate_variant(variant_id: str) -> VariantItem:
    """gsi5 finds a variant by id alone; its (eventually consistent) copy tells the product and the gallery."""
    return lookup(VariantItem, "VARIANT", variant_id, msg.VARIANT_NOT_FOUND)


def _variant(located: VariantItem, file_ids: list[str]) -> tuple[Owner, dict[tuple[str, str], Any]]:
    # The index copy may lag: the variant is read again by key, and its gallery's files are fetched in the
    # same call (the lag only costs a second read when the gallery changed meanwhile).
    key = keys.variant_key(located.product_id, located.id)
    known = list(located.gallery or [])
    found = batch_get([key, keys.product_key(located.product_id)] + [keys.file_key(f) for f in file_ids + known])
    variant = found.get(key)
    product = found.get(keys.product_key(located.product_id))
    if not isinstance(variant, VariantItem) or (isinstance(product, ProductItem) and product.deleted_at):
        raise NotFound(msg.VARIANT_NOT_FOUND)
    return Owner(variant, keys.variant_gallery_ref(located.product_id, located.id)), found


def _gallery_files(gallery: list[str], found: dict[tuple[str, str], Any]) -> list[FileItem]:
    """The gallery's files in order; those not read yet come in one more BatchGetItem."""
    missing = [keys.file_key(f) for f in gallery if keys.file_key(f) not in found]
    if missing:
        found = {**found, **batch_get(missing)}
    files = [found.get(keys.file_key(f)) for f in gallery]
    return [f for f in files if isinstance(f, FileItem)]


# --- the two writes -----------------------------------------------------------------------------------------

def _attach(read: Any, file_ids: list[str], actor: Any) -> list[FileItem]:
    for _ in range(ATTEMPTS):
        owner, found = read(file_ids)
        gallery = list(owner.item.gallery or [])
        try:
            files = [_attachable(found.get(keys.file_key(f)), f, gallery, actor) for f in file_ids]
            if len(gallery) + len(file_ids) > MAX_GALLERY:
                raise ValidationFailed(errors={"file_ids": [messages.GALLERY_FULL.render(max=MAX_GALLERY,
                                                                                         count=len(gallery))]})
        except ValidationFailed:
            _replay_if_spent()  # a retried request finds its files attached already: answer as the first time
            raise
        new_gallery = gallery + file_ids
        tx = Tx()
        _update_owner(tx, owner, new_gallery)
        for item in files:
            tx.update(FileItem, keys.file_key(item.id),
                      [FileItem.galleries.add({owner.ref}), FileItem.version.add(1)],
                      condition=(FileItem.version == item.version) & (FileItem.status == "ready"),
                      label=f"file:{item.id}")
        try:
            tx.commit(created_id=owner.ref)
        except TxCancelled:
            continue  # the gallery or a file changed (or was deleted) since we read it: read again
        return _gallery_files(new_gallery, found)
    raise lost_every_race("gallery.set")


def _replay_if_spent() -> None:
    claim = current_claim()
    if claim is None:
        return
    try:
        IdempotencyRecord.get(*keys.idempotency_key(claim.actor_id, claim.key), consistent_read=True)
    except IdempotencyRecord.DoesNotExist:
        return
    raise IdempotentReplay(claim)


def _attachable(item: Any, file_id: str, gallery: list[str], actor: Any) -> FileItem:
    """A file may join when it exists, the caller may use it, it is ready and not in the gallery yet."""
    if not isinstance(item, FileItem) or not policies.can_manage_file(actor, item):
        raise ValidationFailed(errors={"file_ids": [messages.UNKNOWN_FILE.render(id=file_id)]})
    if item.status != "ready":
        raise ValidationFailed(errors={"file_ids": [messages.FILE_NOT_READY.render(id=file_id, status=item.status)]})
    if file_id in gallery:
        raise ValidationFailed(errors={"file_ids": [messages.ALREADY_IN_GALLERY.render(id=file_id)]})
    return item


def _detach(read: Any, file_id: str) -> list[FileItem]:
    for _ in range(ATTEMPTS):
        owner, found = read([file_id])
        gallery = list(owner.item.gallery or [])
        if file_id not in gallery:
            raise NotFound(messages.NOT_IN_GALLERY)
        new_gallery = [f for f in gallery if f != file_id]
        tx = Tx()
        _update_owner(tx, owner, new_gallery)
        item = found.get(keys.file_key(file_id))
        if isinstance(item, FileItem):
            tx.update(FileItem, keys.file_key(file_id), [FileItem.galleries.delete({owner.ref}), FileItem.version.add(1)],
                      condition=FileItem.version == item.version, label="file")
        try:
            tx.commit()
        except TxCancelled:
            continue
        return _gallery_files(new_gallery, found)
    raise lost_every_race("gallery.remove")


def _update_owner(tx: Tx, owner: Owner, gallery: list[str]) -> None:
    cls = type(owner.item)
    tx.update(cls, (owner.item.pk, owner.item.sk),
              [cls.gallery.set(gallery), Entity.version.add(1), Entity.updated_at.set(now_iso())],
              condition=Entity.version == owner.item.version, label="owner")
