// A front-end's use of the types openapi-typescript generates from /openapi.json (scripts/test_clients.sh):
// read a product with its variants priced in a store, read a store with its currency. Type-checked with tsc --noEmit --strict:
// a `data` typed as unknown or possibly undefined fails the check.
import type { components, paths } from "./api";

type ProductReply =
  paths["/products/{product_id}"]["get"]["responses"][200]["content"]["application/json"];
type StoreReply = paths["/stores/{store_id}"]["get"]["responses"][200]["content"]["application/json"];
type Variant = components["schemas"]["VariantOut"];

async function read<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

export async function productWithVariants(
  base: string, token: string, productId: string, storeId: string,
): Promise<{ name: string; variants: Array<{ sku: string; price: string | null; currency: string }> }> {
  // priced in a store: `price` is null where the store does not sell the variant
  const reply = await read<ProductReply>(`${base}/products/${productId}?include=variants&store_id=${storeId}`, token);
  const variants: Variant[] = reply.data.variants ?? [];
  return { name: reply.data.name, variants: variants.map((v) => ({ sku: v.sku, price: v.price, currency: v.currency })) };
}

export async function storeCurrency(
  base: string, token: string, storeId: string,
): Promise<{ name: string; currency: string }> {
  const reply = await read<StoreReply>(`${base}/stores/${storeId}`, token);
  const success: true = reply.success;
  if (!success) throw new Error("unreachable");
  return { name: reply.data.name, currency: reply.data.currency };
}
