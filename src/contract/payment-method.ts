/**
 * A payment method as a buyer sends it with a booking or a payment, and as the Worker hands
 * it to the show object (which passes it to the gateway and keeps only brand and last four).
 */
export interface CardDetails {
  type: "credit_card" | "debit_card";
  card_number: string;
  expiry_month: number;
  expiry_year: number;
  cvv: string;
}
