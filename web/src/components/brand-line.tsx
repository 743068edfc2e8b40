/** The product's name above the forms shown before sign-in, so a person knows where they are. */
export function BrandLine() {
  return (
    <p className="brand-line">
      <span className="brand-mark" aria-hidden="true" /> Polett
    </p>
  );
}
