package salebus

// Invariants are the rules of sales and stock that must hold however the
// requests that wrote the data ended (cut off, retried, raced), each a
// query that returns one line per breach, for the tests that break
// requests on purpose (dbtest.CheckInvariants).
var Invariants = map[string]string{
	// A sale takes exactly its quantity out of stock and deleting it puts
	// exactly that back, so no unit is ever lost or made.
	"stock + sold = stock added": `
		SELECT format('product %s: stock %s + sold %s <> stock added %s',
			p.product_id, p.quantity, coalesce(s.sold, 0), p.stock_added)
		FROM products p
		LEFT JOIN (SELECT product_id, sum(quantity) AS sold FROM sales GROUP BY product_id) s
			ON s.product_id = p.product_id
		WHERE p.quantity + coalesce(s.sold, 0) <> p.stock_added
		ORDER BY p.product_id`,
	// A sale and its audit row are written in one transaction.
	"every sale is audited": `
		SELECT format('sale %s has no audit row', s.sale_id)
		FROM sales s
		WHERE NOT EXISTS (
			SELECT 1 FROM audits a
			WHERE a.obj_id = s.sale_id AND a.obj_domain = 'sale' AND a.action = 'created')
		ORDER BY s.sale_id`,
}
